"""The annual report on the cooperation groups' work (DESIGN.md §6), due 31 March."""
