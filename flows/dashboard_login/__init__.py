"""The one-time sign-in link to the officials' web dashboard (/dangnhap)."""
