<?xml version="1.0" encoding="UTF-8"?>
<!-- Liquidity Watch: the RSS feeds as a readable page when opened in a browser.
     Each item's description is HTML (escaped in the feed); it is rendered, not shown as tags. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="UTF-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title"/> (RSS feed)</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; line-height: 1.5; color: #1b1b1b; background: #fff; }
          header { border-bottom: 1px solid #ccc; margin-bottom: 1.5rem; }
          .note { background: #eef3f7; padding: 0.6rem 0.8rem; border-radius: 0.3rem; }
          article { border-bottom: 1px solid #e4e4e4; padding-bottom: 1rem; margin-bottom: 1rem; }
          time { color: #555; font-size: 0.9em; }
          a { color: #0b57a4; }
          img { max-width: 100%; height: auto; }
          @media (prefers-color-scheme: dark) {
            body { color: #e6e6e6; background: #1e2129; }
            .note { background: #2a2f3a; }
            time { color: #b8b8b8; }
            a { color: #8cc4ff; }
          }
        </style>
      </head>
      <body>
        <header>
          <h1><xsl:value-of select="rss/channel/title"/></h1>
          <p><xsl:value-of select="rss/channel/description"/></p>
          <p class="note">This is an RSS feed. Copy its address into a feed reader to get new reports;
            or read them on <a href="{rss/channel/link}">the site</a>.</p>
        </header>
        <main>
          <xsl:for-each select="rss/channel/item">
            <article>
              <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
              <time><xsl:value-of select="pubDate"/></time>
              <div><xsl:value-of select="description" disable-output-escaping="yes"/></div>
            </article>
          </xsl:for-each>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
