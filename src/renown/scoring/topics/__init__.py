"""Topics of influence (DESIGN.md property 6): an ontology, posts matched to it,
topics attributed to people only on sustained engaged evidence, influence
within a topic, and +K endorsements.  See docs/topics.md.
"""
