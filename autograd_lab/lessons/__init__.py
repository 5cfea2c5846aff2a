"""The lessons' interactive parts: exercises with checkers, Predict questions, the parity cell.

``autograd_lab.exercises`` (loaded lazily) is ``lessons.exercises``, the names notebooks use.
"""
