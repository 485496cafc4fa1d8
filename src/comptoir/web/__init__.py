"""The web interface: the screens the people of the business work in, served at
`/{instance}/` by the same process as the APIs, over the same services."""
