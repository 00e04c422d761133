"""Reading an uploaded order offline (issue 15): pages → text lines → proposed prestaciones and
checks against the patient. Qt-free, no database: `services/lecturas.py` stores the results."""
