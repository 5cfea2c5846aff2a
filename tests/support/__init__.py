"""What the tests share: example traces (``examples``), helpers, fixtures. Not test modules."""
