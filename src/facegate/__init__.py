"""facegate: face recognition that obeys China's 2025 face recognition Measures by construction."""

__version__ = "0.1.0"
