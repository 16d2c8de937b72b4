"""podkit: turn a recording dropped into a show folder into a published podcast episode."""

__version__ = "0.1.0"
