import AshbTop
