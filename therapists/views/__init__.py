"""The therapists app's pages: search.py (the search page), profile.py (a public profile), dashboard.py
(the therapist's own place)."""
