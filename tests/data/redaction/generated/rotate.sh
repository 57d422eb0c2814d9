#!/bin/sh
echo RedactMe-file-021
