"""Campaign scoring: whom to invite (`propose`) and what the campaign achieved (`report`)."""
