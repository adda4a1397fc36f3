/// The terminal UI: a pure app model, views rendering into a cell grid, and one ncurses adapter.
enum TUIModule {}
