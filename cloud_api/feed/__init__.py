"""Each store's feed: what the cloud must tell one store, in order, by cursor."""
