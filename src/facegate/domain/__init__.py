"""Pure domain: the things the Measures talk about, and the gate's decision. No I/O."""
