"""The five panels; each renders from the app's ViewState and never calls the engine."""
