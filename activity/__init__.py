"""What an account published week by week (R19): logged by its editors or imported by comms."""
