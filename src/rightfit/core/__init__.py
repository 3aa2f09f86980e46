"""Stage protocols, errors and settings shared by every part of rightfit."""
