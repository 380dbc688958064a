"""Coverage questions: SPARQL over the registry's RDF, answered as tables and a wiki report."""
