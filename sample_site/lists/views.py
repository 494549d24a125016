"""views.py: the to-do home page (items live in the session-less form post)."""
from django.shortcuts import render


def home_page(request):
    item = request.POST.get("item_text", "") if request.method == "POST" else ""
    return render(request, "home.html", {"new_item_text": item})
