# Rails receiver recipe (seed 004, "Verifying the Webhook"): OpenSSL::HMAC.hexdigest over request.raw_post,
# compared with ActiveSupport::SecurityUtils.secure_compare (or OpenSSL.secure_compare without Rails).
# Usage: RECIPE_SECRET_HEX=<hex of the secret's UTF-8 bytes> ruby rails-hmac.rb <received signature> < body
# Prints {"expected": "<hex>", "verified": true|false}.
require 'openssl'
require 'json'

begin
  require 'active_support/security_utils'
  def secure_compare(a, b)
    ActiveSupport::SecurityUtils.secure_compare(a, b)
  end
rescue LoadError
  def secure_compare(a, b)
    OpenSSL.secure_compare(a, b)
  end
end

secret = [ENV.fetch('RECIPE_SECRET_HEX')].pack('H*').force_encoding('UTF-8')
received = ARGV[0] || ''
raw_post = $stdin.binmode.read

expected = OpenSSL::HMAC.hexdigest('SHA256', secret, raw_post)
verified = secure_compare(received, expected)
puts JSON.generate({ expected: expected, verified: verified })
