"""clusterkg: publish a knowledge graph of European industry clusters as linked data."""

__version__ = "0.1.0"
