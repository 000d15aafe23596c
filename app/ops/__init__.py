"""Running the site: health checks for the proxy, and backups of the database."""
