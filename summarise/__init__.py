"""summarise: grounded, structured reports of news articles, merged with provenance."""

__version__ = "0.1.0"
