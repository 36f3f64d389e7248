"""Key providers: envelope encryption, signing and keyed hashes."""
