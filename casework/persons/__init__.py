"""The page for correcting a case person's data or marking them as no longer part of the case.

Only the routes live here; the person's model, forms and operations are the cases domain's
(``casework.cases``), next to adding a person.
"""
