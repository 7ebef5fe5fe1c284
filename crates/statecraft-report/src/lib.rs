//! statecraft-report: renders engine results as a self-contained HTML report with SVG charts.
