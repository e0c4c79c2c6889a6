"""The assembly: settings, the container of services, a builder per channel, the CLI, the demo."""
