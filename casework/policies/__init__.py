"""Per-municipality policy settings (DESIGN.md §5) and the working-day calendar."""
