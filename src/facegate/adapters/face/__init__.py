"""Face engines behind the FaceEngine port."""
