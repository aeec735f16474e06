"""Reports: charts (SVG), dashboard, PDF rendering and action plans built on ``servqual.gaps``."""
