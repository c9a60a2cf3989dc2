"""Who belongs where: cooperatives, officials' accounts and scopes, and the one-time codes (/thamgia) that link people to them."""
