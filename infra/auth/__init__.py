"""Authentication: bearer tokens (an OIDC issuer's or Bridgework's own) and API keys."""
