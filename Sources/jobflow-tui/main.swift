print("jobflow-tui")
