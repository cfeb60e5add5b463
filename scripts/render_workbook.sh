#!/usr/bin/env bash
# Render the workbook's main pages to PNG for the README (LibreOffice -> PDF -> PNG pages).
# A page is found by its text: the sheet its printed header names ("CPO market model   <sheet>   cpo-xl ..."),
# or a chart's title, so that each picture shows the chart it is named for, wherever the sheet puts it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
soffice "-env:UserInstallation=file://$out/profile" --headless --convert-to pdf --outdir "$out" workbook/CPO_Model.xlsx >/dev/null
mkdir -p docs/img
pages=$(pdfinfo "$out/CPO_Model.pdf" | awk '/Pages/ {print $2}')
render() {  # page $1 -> docs/img/$2.png at $3 dpi
    pdftoppm -r "${3:-70}" -png -singlefile -f "$1" -l "$1" "$out/CPO_Model.pdf" "docs/img/$2"
}
first_page() {  # first page of sheet $1 -> docs/img/$2.png
    local i header
    for i in $(seq 1 "$pages"); do
        header=$(pdftotext -layout -f "$i" -l "$i" "$out/CPO_Model.pdf" - | sed -n 1,3p)
        if [[ $header =~ CPO\ market\ model\ +$1\ +cpo-xl ]]; then render "$i" "$2" "${3:-70}"; return; fi
    done
    echo "no page of sheet $1" >&2; exit 1
}
chart_page() {  # the page that prints the chart titled $1 -> docs/img/$2.png
    local i
    for i in $(seq 1 "$pages"); do
        if pdftotext -f "$i" -l "$i" "$out/CPO_Model.pdf" - | tr '\n' ' ' | grep -qF "$1"; then
            render "$i" "$2"; return
        fi
    done
    echo "no page prints the chart '$1'" >&2; exit 1
}
first_page Summary summary 90
chart_page "NVIDIA racks: demand, each envelope" demand
chart_page "CPO TAM by layer" tam
chart_page "Bottom-up model vs published" crosscheck
chart_page "Effective CPO penetration by segment" penetration
first_page Elasticity elasticity
chart_page "CPO TAM by scenario" scenarios
chart_page "Monte Carlo: P50 inside" fan
first_page Checks checks
first_page Bridge bridge
rm -rf "$out"
echo "rendered docs/img/{summary,demand,tam,crosscheck,penetration,elasticity,scenarios,fan,checks,bridge}.png"
