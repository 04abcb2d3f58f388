"""Cutting a DataFrame's lineage: materialise it and forget how it was computed.

Iterated joins need this (each step's plan would otherwise contain every step
before it), and so do stage tables read many times (the plan of every later
query would include all the SQL that produced them).  With a checkpoint
directory set on the SparkContext (``sc.setCheckpointDir``, reliable storage
such as HDFS or S3) the checkpoint survives the loss of an executor; without
one it is a local checkpoint: kept on the executors, faster, and enough on
one machine or a stable cluster.
"""

from __future__ import annotations

from pyspark.sql import DataFrame


def cut(frame: DataFrame, *, eager: bool = True) -> DataFrame:
    """``frame`` checkpointed (reliably when a checkpoint directory is set).

    ``eager=False`` defers the work to the first action on the result, so
    that action computes and keeps it in the same job.
    """
    if frame.sparkSession.sparkContext.getCheckpointDir() is not None:
        return frame.checkpoint(eager=eager)
    return frame.localCheckpoint(eager=eager)
