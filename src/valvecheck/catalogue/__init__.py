"""The bundled catalogue: the seed's agreements, measures, programme and assessment, as CSV."""
