"""Files on whatever file system a Spark path names (local, HDFS, S3, …), via Hadoop's API.

PySpark has no Python API for listing or deleting files; the JVM's
``org.apache.hadoop.fs.FileSystem`` is what Spark itself uses for every path
it reads, so the same calls work wherever the data lives.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession


def _system(spark: SparkSession, path: str) -> tuple[Any, Any]:
    """(Hadoop FileSystem, Path) for a Spark path."""
    jvm: Any = spark.sparkContext._jvm  # (no public Python API)
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(conf), hadoop_path


def exists(spark: SparkSession, path: str) -> bool:
    system, hadoop_path = _system(spark, path)
    return bool(system.exists(hadoop_path))


def hidden(name: str) -> bool:
    """Names Spark's readers skip (``_SUCCESS``, ``.staging``, ``_renown_days.json``)."""
    return name.startswith((".", "_"))


def list_files(spark: SparkSession, root: str) -> list[tuple[str, int, int]]:
    """(path relative to ``root``, size, modification time in ms) of every visible file below.

    Files in hidden folders, and hidden files, are left out.  An absent root has none.
    """
    system, base = _system(spark, root)
    if not system.exists(base):
        return []
    prefix = system.makeQualified(base).toString().rstrip("/") + "/"
    listing, found = system.listFiles(base, True), []
    while listing.hasNext():
        status = listing.next()
        relative = str(status.getPath().toString()).removeprefix(prefix)
        if not any(hidden(part) for part in relative.split("/")):
            found.append((relative, int(status.getLen()), int(status.getModificationTime())))
    return found


def folders(spark: SparkSession, root: str) -> list[str]:
    """Names of the visible folders directly in ``root`` (none when it is absent)."""
    system, base = _system(spark, root)
    if not system.exists(base):
        return []
    return sorted(str(status.getPath().getName()) for status in system.listStatus(base)
                  if status.isDirectory() and not hidden(str(status.getPath().getName())))


def delete(spark: SparkSession, path: str) -> None:
    """Remove ``path`` and everything below it (nothing if absent)."""
    system, hadoop_path = _system(spark, path)
    system.delete(hadoop_path, True)
