"""The audit log's pages and command line (the log itself is `app.org.audit`)."""
