"""The register of legal documents that courses cite: shipped as YAML, loaded into the database,
edited by city admins; lessons cite documents by a marker that `courses check` resolves."""
