"""Reports for the Centre and the Ministry: indicator 5 against the Concept's targets, breakdowns of test
results and certificates, and public open data. Figures are read from snapshot tables that one SQL refresh
rebuilds from the attempts, training records and certificates (``flask reports refresh``, the worker, or the
Centre's button), so every page reads a few hundred aggregate rows however large the registry grows."""
