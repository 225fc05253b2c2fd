"""The register of economic operators: EORI, AEO status and other authorisations."""
