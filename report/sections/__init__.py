"""The report's sections, in page order; each has `SECTION` (id, title, intro) and `draw`."""
