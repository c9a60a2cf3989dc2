"""Officials answering the questions the bot could not (/cauhoi)."""
