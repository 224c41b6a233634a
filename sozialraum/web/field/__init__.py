"""Field mode ("Unterwegs", issue 21 §4): the phone page for a walk and its position API."""
