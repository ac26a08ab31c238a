"""The side stage that touches the network: ``update`` and one module per source.

Imports only the catalogue and the snapshot; nothing else imports it, so every other stage
runs offline from the committed snapshot.
"""
