"""rightfit: narrow AI features on the smallest model that passes the task's evals."""

__version__ = "0.1.0"
