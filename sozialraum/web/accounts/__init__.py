"""The accounts feature's web part (see the README's "where is" table)."""
