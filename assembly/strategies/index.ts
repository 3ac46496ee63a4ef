// Built-in signal generators: each writes one target weight per bar.
