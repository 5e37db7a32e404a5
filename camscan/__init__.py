"""camscan: find the cameras and recorders on a network you are authorised to scan, and say who made them."""

__version__ = "0.1.0"
