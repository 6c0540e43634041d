"""Tests of ``deskpro oauth-test`` and the fake GitHub."""
