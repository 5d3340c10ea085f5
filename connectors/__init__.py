"""Channel connectors of the hotline (input channels registered in credentials.yml)."""
