"""Supervisor tools in the workstation (issue #6): report, sends, history, reopen/release."""
