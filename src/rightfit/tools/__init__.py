"""Tools: plain Python functions with schemas from their signatures, authorized by code, audited."""
